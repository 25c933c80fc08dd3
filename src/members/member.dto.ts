import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length } from 'class-validator';

export class CreateMemberDto {
  @ApiProperty({ example: 'Climate Action Collective' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'tech@climate-action.example' })
  @IsEmail()
  @Length(3, 254)
  contactEmail!: string;
}

export class MemberView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() contactEmail!: string;
  @ApiProperty() createdAt!: Date;
}
